/** Every source's text by the path diagnostics show, for rendering underlines. */
export type SourceTexts = ReadonlyMap<string, string>;
