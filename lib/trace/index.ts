export { nowUnixMs, newSpanId } from "./clock";
export { participantForUserAgent, modeForRequest, LAB_HEADERS } from "./participants";
