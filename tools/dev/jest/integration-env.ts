// Integration tests talk to a real broker and database: allow them time (a project-level
// `testTimeout` is ignored by Jest, so it is set here).
jest.setTimeout(120000);
