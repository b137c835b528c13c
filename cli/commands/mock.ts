import type { Command } from 'commander';

/** `lab mock <name>`: run one mock vendor server (Stripe, GitHub, OAuth2, carriers). */
export function registerMock(_program: Command): void {
  // Filled in with the mock servers.
}
