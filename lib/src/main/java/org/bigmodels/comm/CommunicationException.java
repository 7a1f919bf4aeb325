package org.bigmodels.comm;

/**
 * A collective or point-to-point operation could not complete: a peer failed, closed, died (its process exited or
 * its connection dropped), did not answer within the receive time-out, or sent an array of another length or type
 * than this rank expected. The message always names this rank and, when known, the peer responsible, so that the
 * first line of a failed N-worker run says which worker to look at.
 *
 * <p>Unchecked, as {@code torch.distributed}'s errors are: a training step cannot sensibly continue after one.
 */
public class CommunicationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message what was expected, what happened, and which ranks were involved */
    public CommunicationException(String message) {
        super(message);
    }

    /** @param message what was expected, what happened, and which ranks were involved; @param cause the underlying error */
    public CommunicationException(String message, Throwable cause) {
        super(message, cause);
    }
}
