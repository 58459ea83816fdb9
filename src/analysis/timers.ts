/** RFC 3261 timer values the analysis judges captures by. */

/** T1 default (RFC 3261 §17.1.1.1). */
export const T1_US = 500_000;
/** 64*T1 (Timer B, F, H): after this long without a message a transaction is over (RFC 3261 §17). */
export const TRANSACTION_LIFETIME_US = 64 * T1_US;
