// One import's state and rules, no DOM: the import as last read, how often to ask
// again while it runs, the report's paging, and which problem codes and file errors
// have words of their own.

const POLL_MS = [300, 500, 700, 1000, 1500, 2000]; // then every 2 s
export const REPORT_PAGE = 200;
const FINISHED = new Set(["done", "failed"]);
// The problem codes of ImportProblem and the file errors of Import.error in openapi.json
// that have their own words; any other shows the server's message alone.
const PROBLEMS = new Set([
  "required", "invalid", "invalid_answer", "missing_answer", "na_not_allowed", "unknown_criterion",
  "unknown_form_version", "unknown_agent", "nonexistent_local_time", "ambiguous_local_time",
  "duplicate_external_id", "malformed_json", "too_large",
]);
const FILE_ERRORS = new Set([
  "empty_file", "file_too_large", "too_many_rows", "unreadable_encoding", "unreadable_file",
  "missing_columns", "duplicate_column", "internal_error",
]);

export const hasProblemWords = (code) => PROBLEMS.has(code);
export const hasFileErrorWords = (code) => FILE_ERRORS.has(code);

export class ImportModel {
  /** `item`: the import as getImport() answers it (limit=0: progress only). */
  constructor(item) {
    this.item = item;
    this.cursor = null; // the report's next page
    this.onlyRejected = false;
  }

  get finished() {
    return FINISHED.has(this.item.status);
  }

  get done() {
    return this.item.status === "done";
  }

  /** A pending import whose upload address has expired will never start. */
  expired(now = Date.now()) {
    return this.item.status === "pending" && Date.parse(this.item.upload_expires_at) < now;
  }

  /** The wait before the `attempt`th question: ever longer, then every 2 s. */
  pollDelay(attempt) {
    return POLL_MS[Math.min(attempt, POLL_MS.length - 1)];
  }

  /** Takes a fresh read; answers the status it entered when that changed and it still runs. */
  refreshed(item) {
    const before = this.item.status;
    this.item = item;
    return item.status !== before && !this.finished ? item.status : null;
  }

  /** The query for the report's next page; `reset` starts from its first. */
  reportQuery(reset) {
    if (reset) this.cursor = null;
    return { limit: REPORT_PAGE, cursor: this.cursor, outcome: this.onlyRejected ? "rejected" : null };
  }

  /** After a report page arrived; true when there are more. */
  reportPaged(page) {
    this.cursor = page.report.next_cursor;
    return Boolean(this.cursor);
  }
}
