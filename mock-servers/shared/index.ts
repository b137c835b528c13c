// Small helpers every mock server shares. Keep these signatures stable: other mocks import them.
export { controlError, errorEnvelope } from './errors.ts';
export type { ErrorDetail, ErrorEnvelope } from './errors.ts';
export { limitBody, mediaType, parseJsonObject, parseNestedForm, readRawBody } from './body.ts';
export type { FormParseResult, FormValue, ParseResult } from './body.ts';
export { createIdFactory, randomId } from './ids.ts';
export type { IdFactory } from './ids.ts';
export { hmacSha256, safeEqual } from './crypto.ts';
export { listenMock } from './listen.ts';
export type { ListeningMock } from './listen.ts';
export { createFieldChecker, readControlJson } from './control-input.ts';
export { CONTROL_TOKEN_HEADER, controlFetch, controlTokenVariable, guardControl, newControlToken } from './control-token.ts';
