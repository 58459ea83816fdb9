/**
 * Packet numbers across several capture files read together, counted in the order decodeCaptures merges them
 * (capture time, ties to the earlier input), which is the order `mergecap -w merged.pcapng FILE...` writes them:
 * packet N of the merged reading is frame N of that merged file in tshark or Wireshark.
 * Each file's packets form runs of consecutive numbers in both countings (a whole file when the inputs are a
 * ring of files, shorter runs when they overlap in time), so the map from a file's own numbers to merged ones is
 * kept as runs, not one entry per packet.
 */
export class MergedNumbering {
  /** Per file: run starts in the file's own numbering, the merged number of each start, and run lengths. */
  private readonly fileStarts: number[][] = [];
  private readonly mergedStarts: number[][] = [];
  private readonly lengths: number[][] = [];

  constructor(files: number) {
    for (let i = 0; i < files; i++) {
      this.fileStarts.push([]);
      this.mergedStarts.push([]);
      this.lengths.push([]);
    }
  }

  /** Packet `fileNumber` of file `file` is packet `mergedNumber` of the merged reading (both ascending). */
  record(file: number, fileNumber: number, mergedNumber: number): void {
    const starts = this.fileStarts[file];
    const last = starts.length - 1;
    if (last >= 0) {
      const length = this.lengths[file][last];
      if (starts[last] + length === fileNumber && this.mergedStarts[file][last] + length === mergedNumber) {
        this.lengths[file][last] = length + 1;
        return;
      }
    }
    starts.push(fileNumber);
    this.mergedStarts[file].push(mergedNumber);
    this.lengths[file].push(1);
  }

  /** The merged number of packet `fileNumber` of file `file` (read already); the file's own number otherwise. */
  merged(file: number, fileNumber: number): number {
    const starts = this.fileStarts[file];
    let low = 0;
    let high = starts.length - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      if (starts[middle] > fileNumber) high = middle - 1;
      else if (starts[middle] + this.lengths[file][middle] <= fileNumber) low = middle + 1;
      else return this.mergedStarts[file][middle] + (fileNumber - starts[middle]);
    }
    return fileNumber;
  }
}
