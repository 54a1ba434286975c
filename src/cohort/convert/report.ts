/**
 * The conversion report: per-record issues (file, line, reason), like AWS import failure manifests, and counts that
 * reconcile (input = converted + dropped).
 */

/** What happened to a quirky record. */
export type IssueSeverity = 'repaired' | 'dropped' | 'warning';

/** One reported record. */
export interface ConversionIssue {
  /** File, relative to the input folder. */
  readonly file: string;
  /** 1-based line (CSV) or entry index (bundle, 1-based); 0 for the whole file. */
  readonly line: number;
  /** Machine-readable reason code. */
  readonly code: string;
  /** Human-readable reason. */
  readonly reason: string;
  /** repaired (converted after a fix), dropped (not converted) or warning (converted as is). */
  readonly severity: IssueSeverity;
}

/** Collects issues; keeps every dropped record and the first examples of each repaired/warning code. */
export class ConversionReportBuilder {
  readonly issues: ConversionIssue[] = [];
  readonly byCode: Record<string, { severity: IssueSeverity; count: number }> = {};

  /**
   * @param examplesPerCode - how many repaired/warning examples to keep per code
   */
  constructor(private readonly examplesPerCode = 25) {}

  /**
   * Records an issue.
   *
   * @param issue - the issue
   */
  add(issue: ConversionIssue): void {
    const c = (this.byCode[issue.code] ??= { severity: issue.severity, count: 0 });
    c.count++;
    if (issue.severity === 'dropped' || c.count <= this.examplesPerCode) {
      this.issues.push(issue);
    }
  }

  /**
   * Number of issues of a severity.
   *
   * @param severity - the severity
   * @returns the count
   */
  count(severity: IssueSeverity): number {
    return Object.values(this.byCode)
      .filter((c) => c.severity === severity)
      .reduce((a, c) => a + c.count, 0);
  }
}
