/** Errors of the dataset stage: a stable `code` and what the user must fix. */
export type DatasetErrorCode =
  | 'dataset-not-writable'
  | 'dataset-not-a-directory'
  | 'dataset-missing'
  | 'bad-host-name'
  | 'parquet-write-failed'
  | 'sql-error';

export class DatasetError extends Error {
  constructor(
    readonly code: DatasetErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'DatasetError';
  }
}
