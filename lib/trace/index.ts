export { nowUnixMs, newSpanId, newSpanNumber, spanIdOf, SPAN_ID_PREFIX } from "./clock";
export { participantForUserAgent, modeForRequest, LAB_HEADERS } from "./participants";
