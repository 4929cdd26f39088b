/** The middle value (the upper one of an even count): the benches' typical round. */
export const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
