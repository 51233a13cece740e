// SOQL engine of the org emulator: lexer + recursive-descent parser (soql-parser.ts) and evaluator (soql-eval.ts).
// The HTTP server imports from here.

export { parseSoql, SoqlError, soqlErrorAt } from './soql-parser.js';
export type { SoqlErrorCode, SoqlQuery, Condition, Literal, SelectItem, OrderItem, FieldRef, AggregateCall } from './soql-parser.js';
export { executeSoql, formatDate, formatDateTime, MAX_OFFSET } from './soql-eval.js';
export type { Row, RecordStore, EvalOptions, EvalResult } from './soql-eval.js';
