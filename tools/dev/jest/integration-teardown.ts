/** Stops what the setup started; nothing of the run stays behind. */
export default async function teardown(): Promise<void> {
  const began = Date.now();
  await globalThis.__POLLCAST_INFRA__?.stop();
  process.stderr.write(`[integration] infrastructure stopped in ${Date.now() - began} ms\n`);
}
