"""The notifier's rules, pure: who is told what, on which way and when (no I/O, no clock).

The handlers load what the notifier knows (items, reachability, last inbound times), call these
functions with the current time they were handed, and carry out the plan.

- `notifications`: ways to reach someone, one notification, delivery ids
- `knowledge`: what is known about an item and a person (records, reachability), the policy
- `ways`: which contacts of a citizen to try, in order
- `quiet_hours`: when SMS and Zalo may go out; when digests are due
- `texts`: what citizens, bodies and councillors read (Vietnamese, or English)
- `plans`: the notifications for a routing decision or a status change
- `digests`: one message a day for a digest contact
- `deliveries`: a delivery's states; messages held back
"""
