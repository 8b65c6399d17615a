/**
 * Commit messages: Conventional Commits (type(scope): subject), checked in CI by `npm run test:commits` for every
 * commit since this file was added. `bench` is ours: a benchmark run or its write-up, neither a feature nor a test.
 */
export default {
  extends: ['@commitlint/config-conventional'],
  rules: {
    'type-enum': [
      2,
      'always',
      ['build', 'chore', 'ci', 'docs', 'feat', 'fix', 'perf', 'refactor', 'revert', 'style', 'test', 'bench'],
    ],
    // Subjects here name files, variables and figures (RMSE, DLQ, SASL); case rules would only get in the way.
    'subject-case': [0],
    'header-max-length': [2, 'always', 200],
    // Bodies carry tables and command lines.
    'body-max-line-length': [0],
    'footer-max-line-length': [0],
  },
};
