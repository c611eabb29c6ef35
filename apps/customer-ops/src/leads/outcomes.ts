export const OUTCOMES = ['booked', 'ghosted', 'qualified', 'unqualified', 'nurture', 'spam'] as const;
export type Outcome = (typeof OUTCOMES)[number];
