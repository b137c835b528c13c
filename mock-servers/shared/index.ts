// Small helpers every mock server shares. Keep these signatures stable: other mocks import them.
export { controlError } from './errors.ts';
export type { ErrorDetail } from './errors.ts';
export { limitBody, mediaType, parseJsonObject, parseNestedForm } from './body.ts';
export type { FormValue } from './body.ts';
export { createIdFactory } from './ids.ts';
export type { IdFactory } from './ids.ts';
export { hmacSha256, safeEqual } from './crypto.ts';
export { listenMock } from './listen.ts';
export { createFieldChecker, readControlJson } from './control-input.ts';
export { CONTROL_TOKEN_HEADER, controlFetch } from './control-token.ts';
export { pause } from './pause.ts';
export { ControlInputError, createControlApi, isControlPath } from './control-api.ts';
export type { ControlApi } from './control-api.ts';
