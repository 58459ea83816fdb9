/**
 * The figures benchmarks read from GNU time's `-v` report (`/usr/bin/time -v COMMAND`, on stderr): wall seconds,
 * user + system CPU seconds and peak RSS in kB, each undefined when the report lacks it (the command did not run).
 */
export function timeVerboseFigures(stderr) {
  const field = (name) => stderr.match(new RegExp(`${name}: (.*)`))?.[1]?.trim();
  const wall = field('Elapsed \\(wall clock\\) time \\(h:mm:ss or m:ss\\)');
  const user = field('User time \\(seconds\\)');
  const system = field('System time \\(seconds\\)');
  const rss = field('Maximum resident set size \\(kbytes\\)');
  return {
    // h:mm:ss or m:ss.ss
    seconds: wall === undefined ? undefined : wall.split(':').reduce((sum, part) => sum * 60 + Number(part), 0),
    cpuSeconds: user === undefined || system === undefined ? undefined : Number(user) + Number(system),
    maxRssKb: rss === undefined ? undefined : Number(rss),
  };
}
