/** The ARN of the primary's replica in `region`: the same ARN with the region field replaced. */
export function replicaArnOf(primaryArn: string, region: string): string {
  const parts = primaryArn.split(":");
  parts[3] = region;
  return parts.join(":");
}
