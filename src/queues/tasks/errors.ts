/**
 * A job that can never succeed as given (bad args, a run that does not exist, a refused
 * scope). The consumer keeps it in queue_rejections with this reason and acks it, instead of
 * retrying it into the dead-letter queue.
 */
export class TaskRejected extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = "TaskRejected";
  }
}
