// Decodes a chunked request body (RFC 9112 §7.1) as its bytes arrive: chunk-size lines (extensions ignored),
// the data, the CRLF after it, and trailer fields (read and dropped). Malformed framing is an error, never a guess.

/** Where the decoder is when it is not inside a chunk's data. */
const SIZE_LINE = -1;
const DATA_END = -2;
const TRAILERS = -3;
const DONE = -4;
/** A chunk-size or trailer line longer than this is not HTTP framing. */
const MAX_LINE_BYTES = 4 * 1024;
const HEX = /^[0-9a-fA-F]{1,8}$/;

export class ChunkedBody {
  private state = SIZE_LINE;
  private line = "";
  private trailerBytes = 0;
  /** decoded body bytes so far */
  readonly parts: Buffer[] = [];
  size = 0;

  get done(): boolean {
    return this.state === DONE;
  }

  /**
   * Consumes bytes from `data` starting at `at`; returns where the body ended in `data` (the next request starts
   * there), -1 if it needs more bytes, or an error string. `keep` turns the decoded parts kept into Buffers that
   * outlive `data` (a copy, when `data` is about to be reused).
   */
  feed(data: Buffer, at: number, keep: (part: Buffer) => Buffer = (part) => part): number | string {
    while (at < data.length) {
      if (this.state > 0) {
        const take = Math.min(this.state, data.length - at);
        this.parts.push(keep(data.subarray(at, at + take)));
        this.size += take;
        this.state -= take;
        at += take;
        if (this.state === 0) this.state = DATA_END;
        continue;
      }
      let line: string;
      if (this.line.endsWith("\r") && data[at] === 10) {
        // the CRLF was split between two reads
        line = this.line.slice(0, -1);
        at += 1;
      } else {
        const lineEnd = data.indexOf("\r\n", at, "latin1");
        if (lineEnd === -1) {
          this.line += data.toString("latin1", at);
          return this.line.length > MAX_LINE_BYTES || this.line.includes("\n")
            ? "malformed chunked framing"
            : -1;
        }
        line = this.line + data.toString("latin1", at, lineEnd);
        at = lineEnd + 2;
      }
      this.line = "";
      if (line.includes("\n") || line.includes("\r")) return "malformed chunked framing";
      if (this.state === DATA_END) {
        if (line !== "") return "malformed chunked framing";
        this.state = SIZE_LINE;
      } else if (this.state === TRAILERS) {
        if (line === "") {
          this.state = DONE;
          return at;
        }
        this.trailerBytes += line.length;
        if (this.trailerBytes > MAX_LINE_BYTES) return "trailers too large";
      } else {
        const semicolon = line.indexOf(";");
        const sizeText = (semicolon === -1 ? line : line.slice(0, semicolon)).trimEnd();
        if (!HEX.test(sizeText)) return "malformed chunk size";
        const size = parseInt(sizeText, 16);
        this.state = size === 0 ? TRAILERS : size;
      }
    }
    return -1;
  }
}
