/** What `POST /api/quiz/{id}` answers to a script or the quiz island. */
import type { QuizGrade } from './quiz-grading';

export interface QuizSubmissionResult {
  attemptId: number;
  grade: QuizGrade;
  best: { scorePercent: number; attempts: number; passed: boolean };
}
