/** Problems with one record; codes are counted in the validation report. */
export interface RowProblem {
  code: 'MISSING_FIELD' | 'NON_STRING_CONTENT' | 'BAD_ROLE' | 'UNEXPECTED_TYPE' | 'BAD_ANSWER' | 'BAD_CHOICES';
  message: string;
}

export class RowError extends Error {
  constructor(public readonly problem: RowProblem) {
    super(problem.message);
  }
}
