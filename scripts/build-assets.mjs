// Builds what tsc does not: the tracker script (and, later, the dashboard).
// Each step owns its output under dist/.
const steps = [];

for (const step of steps) await step();
