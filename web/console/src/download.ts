/** Saves a Blob the API answered as a file (the CSV export, an original file). */
export function saveBlob(b: Blob, name: string): void {
  const url = URL.createObjectURL(b);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
