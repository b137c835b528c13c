// kafkajs 2.2.4 schedules a timer with a negative delay on every connection (tulios/kafkajs#1751, open).
// Node 24 then prints a TimeoutNegativeWarning; the timer still fires at once, as kafkajs intends.
// Hide only that warning, so real warnings stay visible.
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  const type = typeof rest[0] === 'string' ? rest[0] : (rest[0] as { type?: string } | undefined)?.type;
  if (type === 'TimeoutNegativeWarning' || (warning instanceof Error && warning.name === 'TimeoutNegativeWarning'))
    return;
  (emitWarning as (...args: unknown[]) => void)(warning, ...rest);
}) as typeof process.emitWarning;
