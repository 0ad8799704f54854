/**
 * The undo of a property's cases. The cases of one property run one after another without an undo between them:
 * each is judged against a fresh look before and after its own action, a state the checker read, so it needs no
 * original state, only a known one. What they changed is put back in one restore when the property ends (one
 * round trip for several undos: a round's steps go at once). From the first case that fails on, every case is
 * undone right after it: fast-check then shrinks, rerunning cases that must each start from the same state.
 */
import type { ArenaState } from './arena-state.js';
import { joinScopes, type Scope } from './arena.js';
import { caseRestoreScope, type CaseRun } from './action-case.js';
import type { ActionSession } from './session.js';

/** What the cases since the last undo may have changed, and the state to bring it back to. */
export class CasesToUndo {
  private scope: Scope = { collections: [], singletons: [] };
  private before: ArenaState = { collections: new Map(), singletons: new Map() };
  private pending = false;
  /** Every case is undone right after it (from the first failure on). */
  private eachCase = false;

  /** `label` names the cases in notes (the action's name). */
  constructor(
    private readonly session: ActionSession,
    private readonly label: string,
  ) {}

  /** Takes in a case that ran: what it may have changed, and the look before it at what no earlier case looked at. */
  add(run: CaseRun): void {
    const changed = caseRestoreScope(this.session, run);
    // The state to bring back is the first look at each path since the last undo, not the ledger's originals from
    // before the run's first action. On a quiet conformant server they are the same (every earlier property
    // restored), but the first look is more robust: it is a recent read, so the restore undoes what these cases
    // did and not what moved on its own since the run began (churn: agents at their phones, calls); and what an
    // earlier property could not put back is not tried again after every property (the session's end does, once).
    const looked = joinScopes(run.scope, changed ?? { collections: [], singletons: [] });
    for (const read of looked.collections) {
      const members = run.before.state.collections.get(read.path);
      if (members && !this.before.collections.has(read.path)) this.before.collections.set(read.path, members);
    }
    for (const read of looked.singletons) {
      const value = run.before.state.singletons.get(read.path);
      if (value && !this.before.singletons.has(read.path)) this.before.singletons.set(read.path, value);
    }
    if (!changed) return;
    this.scope = joinScopes(this.scope, changed);
    this.pending = true;
  }

  /** After a case, with whether it failed (a finding or an error): from a failure on, each case is undone at once. */
  async caseEnded(failed: boolean): Promise<void> {
    if (failed) this.eachCase = true;
    if (this.eachCase) await this.undo();
  }

  /** Puts back what the cases since the last undo changed, in one restore, and notes what it could not. */
  async undo(): Promise<void> {
    const { scope, before, pending } = this;
    this.scope = { collections: [], singletons: [] };
    this.before = { collections: new Map(), singletons: new Map() };
    this.pending = false;
    // An interrupted check sends no more actions here: the session's restore at its end puts back everything.
    if (!pending || this.session.context.scope.interruption.interrupted) return;
    // The last case ended with a look at all it read; what only earlier cases read is read again first.
    const now = await this.session.lookBefore(scope);
    const outcome = await this.session.restore(scope, before, now.state);
    for (const line of outcome.notRestored) this.session.noteOnce(`not restored after the cases of ${this.label}: ${line}`);
  }
}
