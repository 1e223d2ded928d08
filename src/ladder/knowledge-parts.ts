/**
 * The knowledge base, policies and belt ladder as one bundle the runtime builds and the routes
 * are handed: built in the right order here, so the runtime adds one line.
 */
import type { Desk } from '../desk/desk.js';
import type { Store } from '../store/open.js';
import { KnowledgeBase } from '../knowledge/knowledge-base.js';
import { PolicyDesk } from '../policies/policy-desk.js';
import { Ladder } from './ladder.js';
import { ReviewQueue } from './review-queue.js';
import { Training } from './training.js';

export interface KnowledgeParts {
  readonly base: KnowledgeBase;
  readonly policies: PolicyDesk;
  readonly ladder: Ladder;
  readonly reviews: ReviewQueue;
  readonly training: Training;
}

/** The ladder alone first: the desk needs it as its reply gate before the review queue can use the desk. */
export function createLadder(store: Store, clock?: () => Date): Ladder {
  return new Ladder({ store, clock });
}

export function createKnowledgeParts(options: {
  store: Store;
  desk: Desk;
  ladder: Ladder;
  clock?: () => Date;
}): KnowledgeParts {
  const { store, desk, ladder, clock } = options;
  return {
    base: new KnowledgeBase({ store, clock }),
    policies: new PolicyDesk({ store, clock }),
    ladder,
    reviews: new ReviewQueue({ store, desk, ladder, clock }),
    training: new Training(store, ladder, clock),
  };
}
