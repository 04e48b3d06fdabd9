/**
 * The site's own cookie, apart from every demo's: it says which learner a browser is, so quizzes,
 * progress and demo sessions can be found again. It travels with every request to this site, the
 * demo requests included, so the panel names it wherever it shows a Cookie header.
 */
export const learnerCookieName = 'session_lab_learner';
