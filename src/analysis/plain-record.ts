/**
 * The record the plain scan (plain-scan.ts) leaves of one message: numbers and byte ranges only (no string, no
 * object), so that it can be made on another thread and sent as an Int32Array (analysis/read-thread/). Ranges are
 * byte offsets into the message's own bytes; -1 is "none". plain-message.ts makes the reading from the record and
 * the bytes.
 */

/** Int32 slots per message. */
export const SCAN_STRIDE = 36;

/** SCAN_KIND: not in the plain form (the parser's path reads it), a request, a response. */
export const SCAN_KIND = 0;
export const KIND_NOT_PLAIN = 0;
export const KIND_REQUEST = 1;
export const KIND_RESPONSE = 2;

/** A response's status code. */
export const SCAN_STATUS = 1;
/** The first line's text: [LINE_START, LINE_END) (a response's with its trailing whitespace trimmed). */
export const SCAN_LINE_START = 2;
export const SCAN_LINE_END = 3;
/** A request: the SP after the method; a response: where its reason starts (the code's end + 1). */
export const SCAN_LINE_SPLIT = 4;
/** A response: the end of its reason, untrimmed. */
export const SCAN_REASON_END = 5;
export const SCAN_CALL_ID_START = 6;
export const SCAN_CALL_ID_END = 7;
/** The CSeq number as 32 bits (read back with >>> 0: it may be up to 2^32 - 1). */
export const SCAN_CSEQ_NUMBER = 8;
export const SCAN_CSEQ_METHOD_START = 9;
export const SCAN_CSEQ_METHOD_END = 10;
/** From and To: NAME_ADDR_SLOTS slots each from here. */
export const SCAN_FROM = 11;
export const SCAN_TO = 17;
/** Top Via: VIA_SLOTS slots from here. */
export const SCAN_VIA = 23;
/** Authorization, Proxy-Authorization, WWW-Authenticate and Proxy-Authenticate values seen (their ranges: plain-scan.ts credentialRanges). */
export const SCAN_CREDENTIAL_VALUES = 30;
/**
 * textHash (own-copy.ts) of the text of a request's start line, of the top Via's branch and of the To tag, when
 * their ranges are in the record (else not written): made by the scan, on the read thread when there is one, so
 * the analysis compares a message with what it knows without making these strings.
 */
export const SCAN_LINE_HASH = 31;
export const SCAN_BRANCH_HASH = 32;
export const SCAN_TO_TAG_HASH = 33;
/** 1 when the top Via's branch (its range in the record) has RFC 3261's magic cookie, else 0. */
export const SCAN_BRANCH_KEYED = 34;

/**
 * A From/To value's slots, after SCAN_FROM or SCAN_TO: the value's range (VALUE_START -1: no such field); the URI's
 * range (URI_START -1: not in the plain form, read from the value's text by fields.ts); the tag value's range
 * (TAG_START -1: no tag or one without a value).
 */
export const NAME_ADDR_VALUE_START = 0;
export const NAME_ADDR_VALUE_END = 1;
export const NAME_ADDR_URI_START = 2;
export const NAME_ADDR_URI_END = 3;
export const NAME_ADDR_TAG_START = 4;
export const NAME_ADDR_TAG_END = 5;

/**
 * The top Via's slots, after SCAN_VIA: the value's range (VALUE_START -1: no Via); sent-by's range (SENT_BY_START
 * -1: not in the plain form, read from the value's text by fields.ts); SENT_BY_UPPER 1 when it has upper-case
 * letters (lower-cased as topVia does); the branch value's range (BRANCH_START -1: none).
 */
export const VIA_VALUE_START = 0;
export const VIA_VALUE_END = 1;
export const VIA_SENT_BY_START = 2;
export const VIA_SENT_BY_END = 3;
export const VIA_SENT_BY_UPPER = 4;
export const VIA_BRANCH_START = 5;
export const VIA_BRANCH_END = 6;
