import { readFileSync } from 'node:fs';
import { PROFILES } from './infra';

/** Linux's range for source ports (its default when /proc does not say). */
function ephemeralRange(): [number, number] {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/);
    return [Number(low), Number(high)];
  } catch {
    return [32768, 60999];
  }
}

describe('infrastructure profiles', () => {
  const profiles = Object.values(PROFILES);

  it('listen below the ephemeral range, so a reconnecting client cannot take a port by connecting to itself', () => {
    const [low, high] = ephemeralRange();
    const inRange = profiles
      .filter((profile) => profile.name !== 'dev')
      .flatMap((profile) =>
        [profile.kafkaPort, profile.kafkaControllerPort, profile.postgresPort]
          .filter((port) => port >= low && port <= high)
          .map((port) => `${profile.name}:${port}`),
      );
    expect(inRange).toEqual([]);
  });

  it('never share a port, so any two of them can run at once', () => {
    const ports = profiles.flatMap((profile) => [
      profile.kafkaPort,
      profile.kafkaControllerPort,
      profile.postgresPort,
    ]);
    expect(new Set(ports).size).toBe(ports.length);
  });
});
