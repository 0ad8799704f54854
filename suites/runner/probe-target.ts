/**
 * The probe before the suites: one GET of the core servers tells an unreachable target (3), an untrusted
 * certificate (3), a URL that is not the Live API base (2), and missing or refused credentials (2) early.
 */
import { clientOptionsOf, type RunPlan } from '../run-plan.js';
import { certificateAdvice, TargetClient } from '../target-client.js';

/** Why the run cannot go on against this target, with its exit code. */
export interface ProbeFailure {
  exitCode: 2 | 3;
  message: string;
}

/** Asks the target for its core servers; gives back why the suites cannot run against it, or undefined. */
export async function probeTarget(plan: RunPlan): Promise<ProbeFailure | undefined> {
  // One request: the run's concurrency does not matter here.
  const client = new TargetClient({ ...clientOptionsOf(plan), maxConcurrentRequests: 1 });
  try {
    const probe = await client.get('/coreServers');
    if (probe.status === 0 && probe.transportError?.includes(certificateAdvice)) {
      return { exitCode: 3, message: `Cannot reach the target ${plan.target} over TLS: ${probe.transportError}.` };
    }
    if (probe.status === 0) {
      return {
        exitCode: 3,
        message: `Cannot reach the target ${plan.target}: ${probe.transportError}. Check that the server runs and that --target is the Live API base (e.g. http://HOST:58080/communication_manager/rest/live).`,
      };
    }
    if (probe.status === 404) {
      return { exitCode: 2, message: `GET ${client.baseUrl}/coreServers answered 404: is --target the Live API base, …/communication_manager/rest/live?` };
    }
    if ((probe.status === 401 || probe.status === 403) && plan.user === undefined) {
      return {
        exitCode: 2,
        message: `The target asks for credentials (GET /coreServers answered ${probe.status} without any): set ISYM_USER and ISYM_PASSWORD (or give --user and --password).`,
      };
    }
    if (probe.status === 401 || probe.status === 403) {
      return {
        exitCode: 2,
        message: `The target refused the credentials given (GET /coreServers answered ${probe.status}). Check --user/--password (or ISYM_USER/ISYM_PASSWORD), and that the server's ACL admits this machine.`,
      };
    }
    return undefined;
  } finally {
    client.close();
  }
}
