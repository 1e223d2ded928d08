/**
 * Training modules: a set of articles to read and a short quiz. Passing a quiz counts towards
 * the next belt. The answers never leave the server: people see the questions and choices,
 * and their score.
 */
import { invalid, notFound } from '../domain/errors.js';
import type { QuizQuestion, TrainingModule } from '../domain/ladder.js';
import type { User } from '../domain/user.js';
import type { Store } from '../store/open.js';
import { getArticle } from '../store/articles.js';
import {
  addAttempt,
  addKnowledgeAudit,
  createModule,
  getModule,
  listModules,
  passedModuleIds,
} from '../store/ladder.js';
import type { Ladder } from './ladder.js';

export interface QuizResult {
  readonly moduleId: number;
  readonly right: number;
  readonly total: number;
  readonly score: number;
  readonly passed: boolean;
  /** Levels reached by passing it. */
  readonly promotedTo: number[];
}

export type ModuleForLearner = Omit<TrainingModule, 'quiz'> & {
  readonly quiz: { question: string; choices: readonly string[] }[];
  readonly passed: boolean;
};

export class Training {
  constructor(
    private readonly store: Store,
    private readonly ladder: Ladder,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async create(input: {
    title: string;
    articleIds: number[];
    quiz: QuizQuestion[];
    passShare: number;
  }): Promise<TrainingModule> {
    if (input.quiz.length === 0) throw invalid('A module needs at least one quiz question');
    for (const [i, question] of input.quiz.entries())
      if (question.answer < 0 || question.answer >= question.choices.length)
        throw invalid(`Question ${i + 1}: the answer must be one of its choices`);
    for (const id of input.articleIds) if (!(await getArticle(this.store.db, id))) throw notFound('Article', id);
    return createModule(this.store.db, input, this.clock().toISOString());
  }

  /** The modules as a learner sees them: no answers, and whether they passed each. */
  async forLearner(user: User): Promise<ModuleForLearner[]> {
    const passed = new Set(await passedModuleIds(this.store.db, user.id));
    return (await listModules(this.store.db)).map((module) => ({
      ...module,
      quiz: module.quiz.map(({ question, choices }) => ({ question, choices })),
      passed: passed.has(module.id),
    }));
  }

  async take(moduleId: number, answers: readonly number[], user: User): Promise<QuizResult> {
    const module = await getModule(this.store.db, moduleId);
    if (!module) throw notFound('Training module', moduleId);
    if (answers.length !== module.quiz.length)
      throw invalid(`The quiz has ${module.quiz.length} questions; ${answers.length} answers were given`);
    const right = module.quiz.filter((question, i) => question.answer === answers[i]).length;
    const score = right / module.quiz.length;
    const passed = score >= module.passShare;
    const now = this.clock().toISOString();
    await addAttempt(this.store.db, { moduleId, userId: user.id, score, passed }, now);
    await addKnowledgeAudit(
      this.store.db,
      { actorId: user.id, action: 'module.attempted', subjectUserId: user.id, data: { moduleId, score, passed } },
      now,
    );
    const promotedTo = passed ? await this.ladder.evaluate(user.id) : [];
    return { moduleId, right, total: module.quiz.length, score, passed, promotedTo };
  }
}
