/** Types of scripts/dist.mjs for the tests. */
export declare function explainNetworkFailure(output: string): string | undefined;
