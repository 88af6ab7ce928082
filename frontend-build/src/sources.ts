// What the form can convert besides a URL: pasted HTML, or an .html/.md file.
// The server checks the same rules (MAX_HTML_BYTES, 2 MiB by default); checking
// here first saves sending a big body only to be refused.

export type SourceMode = "url" | "html" | "file";

export const MAX_SOURCE_BYTES = 2 * 1024 * 1024;
export const UPLOAD_EXTENSIONS = [".html", ".htm", ".md", ".markdown"];

export const SOURCE_RULES = {
  html: "The HTML of a whole page, up to 2 MB. Images and styles it links to are fetched like a page’s.",
  file: "An .html or .md (Markdown) file, up to 2 MB.",
};

function tooBig(bytes: number): boolean {
  return bytes > MAX_SOURCE_BYTES;
}

export function validateHtml(html: string): string | undefined {
  if (!html.trim()) return "Paste the HTML to convert.";
  if (tooBig(new Blob([html]).size)) return "That HTML is larger than 2 MB.";
  return undefined;
}

export function validateUpload(file: File | null): string | undefined {
  if (!file) return "Choose an .html or .md file.";
  const name = file.name.toLowerCase();
  if (!UPLOAD_EXTENSIONS.some((ext) => name.endsWith(ext))) return "Choose an .html or .md file.";
  if (file.size === 0) return "That file is empty.";
  if (tooBig(file.size)) return "That file is larger than 2 MB.";
  return undefined;
}
