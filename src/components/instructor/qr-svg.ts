/** A QR code as inline SVG, rendered on the server: dark modules on white, whatever the theme. */
import QRCode from 'qrcode';

export async function qrSvg(text: string): Promise<string> {
  return QRCode.toString(text, {
    type: 'svg',
    // M survives a smudged projector or a low camera angle and keeps a short URL small.
    errorCorrectionLevel: 'M',
    margin: 2,
    color: { dark: '#000000', light: '#ffffff' },
  });
}
