// @ts-check
/**
 * Code colours for lessons: GitHub's light and dark themes, with every token colour nudged
 * until it reaches WCAG AA contrast (4.5:1) against the theme's background. A few of the stock
 * colours (comments, some punctuation) fall just short, and axe rightly flags them.
 */
import { bundledThemes } from 'shiki';

const minimumContrast = 4.5;

/** @param {string} hex */
function toRgb(hex) {
  const value = hex.replace('#', '').slice(0, 6);
  const full = value.length === 3 ? [...value].map((c) => c + c).join('') : value;
  return [0, 2, 4].map((i) => parseInt(full.slice(i, i + 2), 16));
}

/** @param {number[]} rgb */
function toHex(rgb) {
  return '#' + rgb.map((c) => Math.round(c).toString(16).padStart(2, '0')).join('');
}

/** @param {number[]} rgb */
function luminance(rgb) {
  const [r = 0, g = 0, b = 0] = rgb.map((c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** @param {number[]} a @param {number[]} b */
function contrast(a, b) {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return ((light ?? 0) + 0.05) / ((dark ?? 0) + 0.05);
}

/**
 * Moves a colour toward black (light theme) or white (dark theme) until it is readable.
 * @param {string} foreground
 * @param {string} background
 */
function readableOn(foreground, background) {
  const bg = toRgb(background);
  const target = luminance(bg) > 0.5 ? [0, 0, 0] : [255, 255, 255];
  let fg = toRgb(foreground);
  for (let step = 0; step < 40 && contrast(fg, bg) < minimumContrast; step++) {
    fg = fg.map((c, i) => c + ((target[i] ?? 0) - c) * 0.1);
  }
  return toHex(fg);
}

/** @param {import('shiki').BundledTheme} name */
async function accessibleTheme(name) {
  const theme = (await bundledThemes[name]()).default;
  const background = theme.colors?.['editor.background'] ?? '#ffffff';
  return {
    ...theme,
    name: `${name}-accessible`,
    tokenColors: (theme.tokenColors ?? []).map((rule) => {
      const foreground = rule.settings?.foreground;
      // Colours with alpha are backgrounds or decorations, not text.
      if (!foreground || foreground.length > 7) return rule;
      return {
        ...rule,
        settings: { ...rule.settings, foreground: readableOn(foreground, background) },
      };
    }),
  };
}

export const codeThemes = {
  light: await accessibleTheme('github-light'),
  dark: await accessibleTheme('github-dark'),
};
