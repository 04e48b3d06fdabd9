/** A form's fields as `application/x-www-form-urlencoded`, the encoding the no-JS post uses. */
export function formBody(form: HTMLFormElement): URLSearchParams {
  const body = new URLSearchParams();
  for (const [name, value] of new FormData(form)) body.append(name, String(value));
  return body;
}
