import { createTransport, type Transporter } from 'nodemailer'

/** Sends sign-in codes. */
export interface Mailer {
  sendCode(to: string, code: string): Promise<void>
}

/** Sends through an SMTP server given as a URL (`smtp://user:pass@host:port`). */
export class SmtpMailer implements Mailer {
  readonly #transport: Transporter
  readonly #from: string

  constructor(url: string, from = 'Waggle <no-reply@waggle.local>') {
    this.#transport = createTransport(url)
    this.#from = from
  }

  async sendCode(to: string, code: string): Promise<void> {
    await this.#transport.sendMail({
      from: this.#from,
      to,
      subject: `Your Waggle sign-in code: ${code}`,
      text: `Your Waggle sign-in code is ${code}.\n\nIt expires in 10 minutes. If you did not try to sign in, ignore this email.`,
    })
  }
}
