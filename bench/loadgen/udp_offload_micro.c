/*
 * What UDP segmentation offload saves in the kernel on this machine, without any JVM: sends
 * B batches of K datagrams of S bytes over loopback, either as one sendmmsg of K headers (GSO=0)
 * or as one sendmsg carrying UDP_SEGMENT (GSO=1), into a sink socket of this process drained with
 * recvmmsg after each batch; with GRO=1 the sink has UDP_GRO on and takes coalesced buffers (each
 * header with room for the UDP_GRO control message, as ffm-net gives it; GSO=0 GRO=1 then shows
 * what UDP_GRO costs datagrams that were not sent with UDP_SEGMENT).
 * Prints the process's CPU time (user+sys, which on loopback includes the receive path) per
 * datagram. Used for the GSO/GRO numbers in README.md:
 *
 *   gcc -O2 -o /tmp/udp_offload_micro bench/loadgen/udp_offload_micro.c
 *   taskset -c 1 /tmp/udp_offload_micro GSO K S B [GRO]     e.g.  1 16 64 20000 0
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <arpa/inet.h>
#include <sys/resource.h>
#include <time.h>
#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif
static double cpu(void){struct rusage r;getrusage(RUSAGE_SELF,&r);return r.ru_utime.tv_sec*1e9+r.ru_utime.tv_usec*1e3+r.ru_stime.tv_sec*1e9+r.ru_stime.tv_usec*1e3;}
int main(int argc,char**argv){
  if(argc<5){fprintf(stderr,"usage: udp_offload_micro GSO K S B [GRO]\n");return 2;}
  int gso=atoi(argv[1]), K=atoi(argv[2]), S=atoi(argv[3]), B=atoi(argv[4]); int gro=argc>5&&atoi(argv[5]);
  if(K<1||K>64||S<1||S>2048||(long)K*S>65507){fprintf(stderr,"K in 1..64, S in 1..2048, K*S <= 65507\n");return 2;}
  int rx=socket(AF_INET,SOCK_DGRAM,0), tx=socket(AF_INET,SOCK_DGRAM,0);
  int big=8<<20; setsockopt(rx,SOL_SOCKET,SO_RCVBUF,&big,4);
  struct sockaddr_in a={.sin_family=AF_INET,.sin_addr.s_addr=htonl(0x7f000001)}; socklen_t l=sizeof a;
  if(gro){int one=1;if(setsockopt(rx,SOL_UDP,104,&one,4))perror("gro");} bind(rx,(void*)&a,l); getsockname(rx,(void*)&a,&l); connect(tx,(void*)&a,l);
  char *buf=malloc(K*S); memset(buf,'x',K*S);
  struct mmsghdr m[64]; struct iovec iov[64]; memset(m,0,sizeof m);
  for(int i=0;i<K;i++){iov[i].iov_base=buf+i*S;iov[i].iov_len=S;m[i].msg_hdr.msg_iov=&iov[i];m[i].msg_hdr.msg_iovlen=1;}
  char ctl[CMSG_SPACE(2)]; struct msghdr g={.msg_iov=iov,.msg_iovlen=K,.msg_control=ctl,.msg_controllen=sizeof ctl};
  struct cmsghdr*c=CMSG_FIRSTHDR(&g); c->cmsg_level=SOL_UDP;c->cmsg_type=UDP_SEGMENT;c->cmsg_len=CMSG_LEN(2);*(unsigned short*)CMSG_DATA(c)=S;
  static char rb[64][65536]; static char rctl[64][CMSG_SPACE(sizeof(int))]; struct mmsghdr r[64]; struct iovec riov[64]; memset(r,0,sizeof r);
  for(int i=0;i<64;i++){riov[i].iov_base=rb[i];riov[i].iov_len=65536;r[i].msg_hdr.msg_iov=&riov[i];r[i].msg_hdr.msg_iovlen=1;}
  long got=0; double t0=cpu();
  for(int b=0;b<B;b++){
    int n = gso ? (sendmsg(tx,&g,0)==K*S ? K : -1) : sendmmsg(tx,m,K,0);
    if(n!=K){perror("send");return 1;}
    int left=K; while(left>0){
      if(gro) for(int i=0;i<left;i++){r[i].msg_hdr.msg_control=rctl[i];r[i].msg_hdr.msg_controllen=sizeof rctl[i];}
      int x=recvmmsg(rx,r,left,MSG_DONTWAIT,0); if(x<=0) break; for(int j=0;j<x;j++){int d=(r[j].msg_len+S-1)/S; left-=d; got+=d;}}
  }
  double t=cpu()-t0;
  printf("gro=%d gso=%d K=%d S=%d datagrams=%ld received=%ld cpu_ns_per_datagram=%.0f\n",gro,gso,K,S,(long)B*K,got,t/((double)B*K));
  return 0;
}
