-- A consumption always names the request its token was issued for: the key lets the
-- dashboard filter requests on their uses ("approved, never executed").
ALTER TABLE "token_consumptions" ADD CONSTRAINT "token_consumptions_requestId_fkey" FOREIGN KEY ("requestId") REFERENCES "clearance_requests"("id") ON DELETE CASCADE ON UPDATE CASCADE;
