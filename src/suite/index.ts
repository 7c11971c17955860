export { loadSuite, parseSuite, SuiteError } from './load.js';
export type { SuiteIssue } from './locate.js';
export type { RunPlan, PlannedTarget, PlannedWorkload, SuiteHost, OrderMode } from './plan.js';
export { scheduleFor, resultIdOf, drawSeed, type ScheduledStep } from './order.js';
export { SHORT_PROFILE, UNIXBENCH_INDEX_TESTS } from './unixbench-tests.js';
