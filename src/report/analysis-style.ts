/** The colours the text renderers use; the CLI passes its chalk instance (colour off when not a TTY). */
export interface TextStyle {
  red(text: string): string;
  yellow(text: string): string;
  green(text: string): string;
  cyan(text: string): string;
  bold(text: string): string;
  dim(text: string): string;
}

/** No colour at all (tests, files). */
export const PLAIN_STYLE: TextStyle = {
  red: (text) => text,
  yellow: (text) => text,
  green: (text) => text,
  cyan: (text) => text,
  bold: (text) => text,
  dim: (text) => text,
};
