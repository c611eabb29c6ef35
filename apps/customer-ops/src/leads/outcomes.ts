export const OUTCOMES = ['booked', 'ghosted', 'qualified', 'unqualified', 'nurture', 'spam'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/**
 * The conversion label, written once: a booked lead converted; ghosted, unqualified and spam
 * are final and did not; qualified and nurture are not final yet, so they do not train the model.
 */
export const CONVERTED_OUTCOME = 'booked' satisfies Outcome;
export const FINAL_OUTCOMES: readonly Outcome[] = [CONVERTED_OUTCOME, 'ghosted', 'unqualified', 'spam'];

export function isConversion(outcome: string | null): boolean {
  return outcome === CONVERTED_OUTCOME;
}
