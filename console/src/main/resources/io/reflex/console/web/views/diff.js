// A line diff (longest common subsequence), enough for rule packages of a few thousand lines.

/** [{op: ' ' | '+' | '-', text}] turning `a` into `b`. */
export function lineDiff(a, b) {
  const x = a.split('\n');
  const y = b.split('\n');
  // Common head and tail first: versions usually differ in a few places.
  let head = 0;
  while (head < x.length && head < y.length && x[head] === y[head]) head++;
  let tail = 0;
  while (tail < x.length - head && tail < y.length - head && x[x.length - 1 - tail] === y[y.length - 1 - tail]) tail++;
  const xs = x.slice(head, x.length - tail);
  const ys = y.slice(head, y.length - tail);
  const out = x.slice(0, head).map(text => ({ op: ' ', text }));
  if (xs.length * ys.length > 4e6) { // too big for the table: show it as replaced
    out.push(...xs.map(text => ({ op: '-', text })), ...ys.map(text => ({ op: '+', text })));
  } else {
    const n = xs.length, m = ys.length;
    const lcs = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        lcs[i][j] = xs[i] === ys[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
      }
    }
    let i = 0, j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && xs[i] === ys[j]) { out.push({ op: ' ', text: xs[i] }); i++; j++; }
      else if (i < n && (j === m || lcs[i + 1][j] >= lcs[i][j + 1])) { out.push({ op: '-', text: xs[i] }); i++; }
      else { out.push({ op: '+', text: ys[j] }); j++; }
    }
  }
  out.push(...x.slice(x.length - tail).map(text => ({ op: ' ', text })));
  return out;
}

/** The diff with runs of unchanged lines beyond `context` lines of a change folded to {op: '…', count}. */
export function hunks(ops, context = 3) {
  const near = ops.map(() => false);
  ops.forEach((o, i) => {
    if (o.op !== ' ') for (let j = Math.max(0, i - context); j <= Math.min(ops.length - 1, i + context); j++) near[j] = true;
  });
  const out = [];
  for (let i = 0; i < ops.length;) {
    if (near[i]) { out.push(ops[i]); i++; continue; }
    let j = i;
    while (j < ops.length && !near[j]) j++;
    out.push({ op: '…', count: j - i });
    i = j;
  }
  return out;
}
