/** The first varUint of every multiplexed frame. Never renumber; add. */
export const FrameType = {
  hello: 1,
  welcome: 2,
  sync: 3,
  update: 4,
  ack: 5,
  reject: 6,
  awareness: 7,
  unsubscribe: 8,
  access: 9,
  error: 10,
} as const
export type FrameType = (typeof FrameType)[keyof typeof FrameType]
