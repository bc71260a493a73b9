// Runs before every integration test file (jest setupFiles). Intentionally empty: jest globals such
// as afterAll are not defined yet at this point, and the environment is read lazily by testEnv()
// (test/support/env.ts) so each test fails with "run ./scripts/setup" rather than the whole file
// crashing on import. Do not import test/support/helpers.ts here: it registers its cleanup with
// afterAll when a test file first imports it.
export {};
