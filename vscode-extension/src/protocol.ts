// The server's requests beyond LSP, as the extension sends them (lsp/requests.ts answers).
export const GraphRequest = 'flowc/graph';
export const BuildPropertiesRequest = 'flowc/buildProperties';
export const ImportRequest = 'flowc/import';

export interface GraphResult {
  svg: string | null;
  graph: unknown;
  errorCount: number;
  nodes: Record<string, { line: number; character: number }>;
}

export interface BuildResult {
  files: { name: string; text: string }[];
  errorCount: number;
}

export interface ImportResult {
  text: string | null;
  problems: string[];
}
