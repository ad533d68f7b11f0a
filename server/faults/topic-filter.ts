/**
 * Topic filter matching of MQTT 3.1.1 §4.7: "+" matches one level, "#" the
 * rest (including the parent level itself, §4.7.1.2).
 */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split("/");
  const t = topic.split("/");
  for (let i = 0; i < f.length; i++) {
    if (f[i] === "#") return true;
    if (i >= t.length) return false;
    if (f[i] !== "+" && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}
