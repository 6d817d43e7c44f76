/**
 * A command-line mistake is one line saying what was wrong and one pointing at the help, so the message is not
 * pushed off the screen by the 35-line usage text (`vigil --help` prints that).
 */

/** `vigil: replay needs --tickets FILE` and where the usage is. `help` is the command that prints it. */
export function usageMessage(prefix: string, message: string, help = 'vigil --help'): string {
  return `${prefix}: ${message}\nSee \`${help}\` for usage.`;
}
