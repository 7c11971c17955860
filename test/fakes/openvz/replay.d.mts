/** Types for replay.mjs (the FAKE OpenVZ transcript replayer). */
export interface TranscriptStep {
  line: number;
  argv: string[];
  stdout: string[];
  stderr: string[];
  exit: number;
}
export function splitWords(line: string): string[];
export function parseTranscript(text: string, file?: string): TranscriptStep[];
