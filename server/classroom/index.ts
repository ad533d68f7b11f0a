/**
 * The classroom (issue #7): mounted into the lab server with one call.
 * Everything else in this folder is its inside.
 */
export { mountClassroom, type ClassroomDeps, type ClassroomMount } from "./mount";
export { StoreError } from "./store";
export { CLASSROOM_TOPIC_ROOT } from "./cluster";
