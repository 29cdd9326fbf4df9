// k6/execution for the script-logic test: the current virtual user (set by the test) and test.abort.

export const vu = { idInTest: 1, iterationInScenario: 0 };

export default {
  vu,
  test: {
    abort(reason?: string): never {
      throw new Error(`test aborted: ${reason ?? ''}`);
    },
  },
};
